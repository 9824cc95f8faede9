#!/usr/bin/env -S node --max-semi-space-size=1
// A 1 MB young generation: a long recording allocates little per frame, so the small nursery costs
// no measurable CPU and keeps about 20 MB of resident memory free (docs/tui.md, Memory).
import { main } from '../dist/cli.js';

main(process.argv.slice(2));
