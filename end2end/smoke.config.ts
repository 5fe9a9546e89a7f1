// The release smoke test (scripts/smoke): the same Chromium settings as the full suite, against command 1's own
// release server, with only end2end/smoke/.
import { defineConfig } from '@playwright/test';
import base from './playwright.config';

export default defineConfig({ ...base, testDir: './smoke', outputDir: './test-results/smoke' });
