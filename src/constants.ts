/**
 * Every id the extension contributes, in one namespace. package.json must agree with this file;
 * test/unit/manifest.test.ts checks both directions.
 */
export const NS = 'defenderTroubleshooting';

export const ViewContainerIds = {
  defender: NS,
} as const;

export const ViewIds = {
  devices: `${NS}.devices`,
  sessions: `${NS}.sessions`,
} as const;

export const CommandIds = {
  showLog: `${NS}.showLog`,
  devicesRefresh: `${NS}.devices.refresh`,
  sessionsRefresh: `${NS}.sessions.refresh`,
  openPortal: `${NS}.portal.open`,
  openDocs: `${NS}.docs.open`,
  signIn: `${NS}.signIn`,
  showHostInfo: `${NS}.host.showInfo`,
  newKqlFile: `${NS}.kql.newFile`,
  deviceOpenInPortal: `${NS}.device.openInPortal`,
  deviceCopyId: `${NS}.device.copyId`,
  deviceConnectSsh: `${NS}.device.connectSsh`,
  // Fleet (issue 8): devices at tenant scale, investigation packages, detection rules.
  detectionRuleCreate: `${NS}.detectionRule.create`,
  detectionRuleCreateTroubleshootingNow: `${NS}.detectionRule.createTroubleshootingNow`,
  deviceCollectInvestigationPackage: `${NS}.device.collectInvestigationPackage`,
  devicesClearFilter: `${NS}.devices.clearFilter`,
  devicesFilter: `${NS}.devices.filter`,
  devicesGroupBy: `${NS}.devices.groupBy`,
  devicesSearch: `${NS}.devices.search`,
  devicesStopLoading: `${NS}.devices.stopLoading`,
  packageOpen: `${NS}.package.open`,
  // Device side (issue #3): status, playbooks, snapshots, undo, audit.
  deviceRefreshStatus: `${NS}.device.refreshStatus`,
  playbookUnableToInstall: `${NS}.playbook.unableToInstall`,
  playbookHighCpu: `${NS}.playbook.highCpu`,
  playbookAppSlow: `${NS}.playbook.appSlow`,
  playbookPuaBlocked: `${NS}.playbook.puaBlocked`,
  playbookAsrRule: `${NS}.playbook.asrRule`,
  playbookNetworkProtection: `${NS}.playbook.networkProtection`,
  deviceDisableTamperProtection: `${NS}.device.disableTamperProtection`,
  deviceUndo: `${NS}.device.undo`,
  snapshotTake: `${NS}.snapshot.take`,
  snapshotCompare: `${NS}.snapshot.compare`,
  snapshotOpen: `${NS}.snapshot.open`,
  auditShow: `${NS}.audit.show`,
  // Hunting (issue #4): run the query at the cursor, history per file, export from the results grid.
  huntingRun: `${NS}.hunting.run`,
  huntingShowHistory: `${NS}.hunting.showHistory`,
  huntingExportResults: `${NS}.hunting.exportResults`,
  // KQL language server (issue #4): the tenant's schema through getschema, and a restart.
  kqlRefreshSchema: `${NS}.kql.refreshSchema`,
  kqlRestartServer: `${NS}.kql.restartServer`,
  // Issue #9: the session's event log, the performance analyzer, the session report.
  eventsShow: `${NS}.events.show`,
  performanceRecord: `${NS}.performance.record`,
  performanceOpenReport: `${NS}.performance.openReport`,
  performanceCancelRecording: `${NS}.performance.cancelRecording`,
  sessionReportWrite: `${NS}.sessionReport.write`,
  sessionReportOpen: `${NS}.sessionReport.open`,
  // The sample tenant (issue #11): leave it for a real tenant.
  sampleLeave: `${NS}.sample.leave`,
  // Session lifecycle (issue 8): turn on (portal) and track, refresh the troubleshooting query.
  deviceTurnOnTroubleshooting: `${NS}.device.turnOnTroubleshooting`,
} as const;

/** Commands other features own; the session lifecycle calls them only when they are registered. */
export const OptionalCommandIds = {
  /** Issue 8 item 6 (fleet). */
  deviceCollectInvestigationPackage: `${NS}.device.collectInvestigationPackage`,
  /** Issue 9. */
  sessionReportWrite: `${NS}.sessionReport.write`,
} as const;

export const SettingIds = {
  powershellPath: `${NS}.powershell.path`,
  portalUrl: `${NS}.portal.url`,
  executionMode: `${NS}.execution.mode`,
  statusRefreshSeconds: `${NS}.status.refreshSeconds`,
  powershellTimeoutSeconds: `${NS}.powershell.timeoutSeconds`,
  graphEndpoint: `${NS}.graph.endpoint`,
  mdeEndpoint: `${NS}.mde.endpoint`,
  mdeScope: `${NS}.mde.scope`,
  devicesMaxCount: `${NS}.devices.maxCount`,
  devicesGroupBy: `${NS}.devices.groupBy`,
  authProvider: `${NS}.auth.provider`,
  huntingDefaultTimespan: `${NS}.hunting.defaultTimespan`,
  huntingMaxRowsInGrid: `${NS}.hunting.maxRowsInGrid`,
  huntingCodeLens: `${NS}.hunting.codeLens`,
  kqlDiagnosticsEnabled: `${NS}.kql.diagnostics.enabled`,
  kqlDiagnosticsAnalyzers: `${NS}.kql.diagnostics.analyzers`,
  kqlTraceServer: `${NS}.kql.trace.server`,
  // Issue #9: the session's event log and the performance analyzer.
  eventsIds: `${NS}.events.ids`,
  eventsPageSize: `${NS}.events.pageSize`,
  eventsShowBookkeeping: `${NS}.events.showBookkeeping`,
  performanceTopCount: `${NS}.performance.topCount`,
  performanceNestedCount: `${NS}.performance.nestedCount`,
  sampleEnabled: `${NS}.sample.enabled`,
  sessionsEndingSoonMinutes: `${NS}.sessions.endingSoonMinutes`,
  sessionsPollMinutes: `${NS}.sessions.pollMinutes`,
} as const;

/** Webview panel types (issue #9). */
export const PanelTypes = {
  events: `${NS}.events.list`,
  performanceReport: `${NS}.performance.report`,
} as const;

/** Context keys used in `when` clauses; set only through infra/contexts.ts. */
export const ContextKeys = {
  signedIn: `${NS}.signedIn`,
  sampleTenant: `${NS}.sampleTenant`,
  /** A hunting query has returned rows in this window (completes the walkthrough's hunting step, however it ran). */
  huntingHasResults: `${NS}.huntingHasResults`,
} as const;

export const OUTPUT_CHANNEL_NAME = 'Defender Troubleshooting';
export const DOCS_URL =
  'https://learn.microsoft.com/defender-endpoint/enable-troubleshooting-mode';
export const DEFAULT_PORTAL_URL = 'https://security.microsoft.com';
