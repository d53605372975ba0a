#!/usr/bin/env node
// Runs the TypeScript sources directly through tsx, so that `npm install` is the only
// step between a clone and a running server.
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');
