import * as vscode from 'vscode';
import { DEFAULT_GRAPH_ENDPOINT, graphHuntingScope, GraphDetectionRulesClient, normalizeEndpoint, RestClient } from '../api';
import { CommandIds, DEFAULT_PORTAL_URL, NS, SettingIds } from '../constants';
import { DefenderToolError, UserCancelledError } from '../core/errors';
import { componentLogger, type ILogger } from '../core/logger';
import {
  checkRuleInput,
  confirmationDetail,
  DETECTION_RULES_PATH,
  detectionRuleBody,
  isGlobalGraph,
  createdRuleMessage,
  RULE_FREQUENCIES,
  RULE_SEVERITIES,
  TROUBLESHOOTING_NOW_QUERY,
  TROUBLESHOOTING_NOW_RULE,
  type RuleFrequency,
  type RuleSeverity,
} from '../defender/detectionRules';
import { blockAt, splitBlocks } from '../kql/blocks';
import type { AuthService } from '../infra/auth';
import { registerCommand } from '../infra/commandRunner';

export interface DetectionRuleDeps {
  readonly log: ILogger;
  readonly auth: AuthService;
}

/** Answers the prompts (tests); each one given skips its prompt. */
export interface CreateRuleOptions {
  readonly query?: string;
  readonly name?: string;
  readonly frequency?: RuleFrequency;
  readonly severity?: RuleSeverity;
  /** Send even when the pre-checks found problems. */
  readonly force?: boolean;
}

const cfg = () => vscode.workspace.getConfiguration(NS);

/**
 * "Create Detection Rule…" on the KQL query block at the cursor (editor context menu in .kql files), and a
 * ready-made one for the seed's "devices currently in troubleshooting mode" query: asks name, frequency and
 * severity, shows what will be sent, POSTs it to Graph and says where the rule is in the portal.
 */
export function registerDetectionRules(context: vscode.ExtensionContext, deps: DetectionRuleDeps): void {
  const log = componentLogger(deps.log, 'rules');

  const queryAtCursor = (): string => {
    const editor = vscode.window.activeTextEditor;
    if (!editor) throw new UserCancelledError(vscode.l10n.t('Open a .kql file and put the cursor in a query.'));
    const doc = editor.document;
    if (!editor.selection.isEmpty) return doc.getText(editor.selection);
    const block = blockAt(splitBlocks(doc.getText()), doc.offsetAt(editor.selection.active));
    if (!block?.text.trim()) throw new UserCancelledError(vscode.l10n.t('Put the cursor in a query (blank lines separate queries).'));
    return block.text;
  };

  const create = async (options: CreateRuleOptions = {}, defaults: { name?: string; title?: string; description?: string } = {}) => {
    const query = options.query ?? queryAtCursor();
    const name =
      options.name ??
      (await vscode.window.showInputBox({
        title: vscode.l10n.t('Create detection rule (1/3): name'),
        prompt: vscode.l10n.t('The rule\'s name; alerts it raises carry it as their title.'),
        value: defaults.name ?? '',
        // A multi-step flow (often started from the walkthrough, which takes focus back): keep it open on focus loss.
        ignoreFocusOut: true,
        validateInput: (v) => (v.trim() ? undefined : vscode.l10n.t('A name is required.')),
      }));
    if (!name) throw new UserCancelledError();
    const frequency =
      options.frequency ??
      (
        await vscode.window.showQuickPick(
          RULE_FREQUENCIES.map((f) => ({ label: f.label, description: vscode.l10n.t('schedule.frequency {0}', f.frequency), frequency: f.frequency })),
          { title: vscode.l10n.t('Create detection rule (2/3): how often it runs'), ignoreFocusOut: true },
        )
      )?.frequency;
    if (!frequency) throw new UserCancelledError();
    const severity =
      options.severity ??
      ((
        await vscode.window.showQuickPick(
          RULE_SEVERITIES.map((s) => ({ label: s, picked: s === 'medium' })),
          { title: vscode.l10n.t('Create detection rule (3/3): severity of its alerts'), ignoreFocusOut: true },
        )
      )?.label as RuleSeverity | undefined);
    if (!severity) throw new UserCancelledError();

    const input = { name, queryText: query, frequency, severity, title: defaults.title, description: defaults.description };
    const problems = checkRuleInput(input);
    if (problems.length && !options.force) {
      const go = await vscode.window.showWarningMessage(vscode.l10n.t('The rule may be rejected or raise no useful alerts:\n{0}', problems.join('\n')), { modal: true }, vscode.l10n.t('Create Anyway'));
      if (!go) throw new UserCancelledError();
    }
    const body = detectionRuleBody(input);

    const endpoint = normalizeEndpoint(cfg().get<string>('graph.endpoint'), DEFAULT_GRAPH_ENDPOINT, SettingIds.graphEndpoint);
    if (!isGlobalGraph(endpoint)) {
      throw new DefenderToolError('not-available', vscode.l10n.t('Custom detection rules through Graph are available on the global service only, not in US Government or China clouds.'));
    }
    const scope = graphHuntingScope(endpoint).replace(/ThreatHunting\.Read\.All$/, 'CustomDetection.ReadWrite.All');
    // The exact request body, whole, before asking; the dialog shows it bounded (confirmationDetail).
    log.info(`POST ${endpoint}/${DETECTION_RULES_PATH} (asking first): ${JSON.stringify(body)}`);
    if (!options.name) {
      const ok = await vscode.window.showInformationMessage(
        vscode.l10n.t('Create the custom detection rule "{0}" ({1}, {2})?', name, severity, RULE_FREQUENCIES.find((f) => f.frequency === frequency)!.label.toLowerCase()),
        { modal: true, detail: confirmationDetail(endpoint, body) },
        vscode.l10n.t('Create Rule'),
      );
      if (!ok) throw new UserCancelledError();
    }
    const rest = new RestClient({ baseUrl: endpoint, name: 'graph', log: deps.log, getToken: async () => deps.auth.getToken(true, [scope]) });
    const rule = await new GraphDetectionRulesClient(rest).create(body, DETECTION_RULES_PATH);
    log.info(`custom detection rule ${JSON.stringify(rule.displayName)} created, id ${String(rule.id)} (POST ${DETECTION_RULES_PATH})`);
    const portal = (cfg().get<string>('portal.url') || DEFAULT_PORTAL_URL).replace(/\/+$/, '');
    void vscode.window
      .showInformationMessage(createdRuleMessage(rule), vscode.l10n.t('Open Defender Portal'))
      .then((choice) => (choice ? vscode.env.openExternal(vscode.Uri.parse(portal)) : undefined));
    return rule;
  };

  context.subscriptions.push(
    registerCommand(CommandIds.detectionRuleCreate, (options?: CreateRuleOptions) => create(isOptions(options) ? options : {}), deps.log),
    registerCommand(
      CommandIds.detectionRuleCreateTroubleshootingNow,
      (options?: CreateRuleOptions) =>
        create({ ...(isOptions(options) ? options : {}), query: TROUBLESHOOTING_NOW_QUERY }, { name: TROUBLESHOOTING_NOW_RULE.name, title: TROUBLESHOOTING_NOW_RULE.title, description: TROUBLESHOOTING_NOW_RULE.description }),
      deps.log,
    ),
  );
}

/** Menus pass a Uri or nothing; tests pass options. */
function isOptions(x: unknown): x is CreateRuleOptions {
  return !!x && typeof x === 'object' && !(x instanceof vscode.Uri) && ('name' in x || 'query' in x || 'frequency' in x || 'severity' in x);
}
