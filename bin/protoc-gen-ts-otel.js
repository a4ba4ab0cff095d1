#!/usr/bin/env node
import "../dist/esm/src/cli.js";
