#!/usr/bin/env node
import "../dist/protoc-gen-ts-otel.js";
