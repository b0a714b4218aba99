/**
 * The pictures of README.md and the walkthrough, taken by test/e2e/readmeScreenshot.test.ts and copied to
 * media/screenshots/ by `npm run screenshots` (scripts/screenshots.mjs lists the same names; a unit test keeps them equal).
 */
/** Picture name → what it shows (the README and the walkthrough link media/screenshots/<name>.png). */
export const README_PICTURES = {
  'defender-view': 'the Defender view: This device in troubleshooting mode with its playbooks, and Sessions',
  'tenant-devices': 'the Devices tree: tenant devices grouped by troubleshooting state, and the Sessions view',
  'device-playbook-confirm': 'a playbook asks first and shows the exact command',
  'device-playbook-result': "a playbook's verified result",
  'snapshot-diff': 'two Get-MpPreference snapshots in the diff editor',
  'event-list': "the session's Defender events in the grid",
  'performance-report': 'a performance report: bar charts and sortable tables',
  'hunting-results': 'the results grid of a troubleshooting hunting query',
  'session-report': 'the session report in the Markdown preview',
} as const;
export type PictureName = keyof typeof README_PICTURES;
