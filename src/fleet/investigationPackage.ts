import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { DefenderApiError, type MachineAction, type MdeClient } from '../api';
import { systemClock } from '../api/http';
import { PACKAGE_URI_RATE, RateLimiter } from '../api/rateLimiter';
import { CommandIds } from '../constants';
import { UserCancelledError } from '../core/errors';
import { componentLogger, type ILogger } from '../core/logger';
import type { NodeVM } from '../core/treeModel';
import { tenantMachineId } from '../defender/fleet';
import {
  actionStatusText,
  COLLECT_SCOPE,
  collectionActionsFilter,
  describePackage,
  downloadProgressText,
  entryPickItems,
  followAction,
  packageFileName,
  packageUri,
  runningCollection,
  summary,
  validateComment,
} from '../defender/investigationPackage';
import { extractEntry, listZip, safeEntryPath, type ZipEntry } from '../defender/zipDirectory';
import { registerCommand } from '../infra/commandRunner';

export interface PackageDeps {
  readonly log: ILogger;
  readonly deviceName: (machineId: string) => string | undefined;
  /** An MDE client signed in for these scopes (interactive), or undefined when the user declined. */
  readonly mdeClient: (scopes: string[], packageUriLimiter: RateLimiter) => Promise<MdeClient | undefined>;
  /** The scope the device list uses (Machine.Read), asked for together with Machine.CollectForensics. */
  readonly readScope: () => string;
}

/** Options the commands take from tests (each skips its prompt). */
export interface CollectOptions {
  readonly comment?: string;
  readonly folder?: string;
  /** Entry name to open after listing; '' = open none. */
  readonly open?: string;
  /** Answer to "already running: follow it?". */
  readonly followRunning?: boolean;
}

/**
 * "Collect Investigation Package…" on a tenant device (issue 8 item 6): POST collectInvestigationPackage with the
 * required comment, follow the machine action, GetPackageUri within 2 calls a minute, download with progress
 * and cancel into a folder the user picks, list what the ZIP holds (snapshots and logs first, found by name)
 * and open any file from it (extracted next to the ZIP).
 */
export function registerInvestigationPackage(context: vscode.ExtensionContext, deps: PackageDeps): void {
  const log = componentLogger(deps.log, 'package');
  // GetPackageUri: 2 a minute, 120 an hour, for the whole window.
  const uriLimiter = new RateLimiter(PACKAGE_URI_RATE);

  const collect = async (node?: NodeVM, options: CollectOptions = {}) => {
    const machineId = tenantMachineId(node?.id);
    if (!machineId) throw new UserCancelledError(vscode.l10n.t('Run this from a tenant device in the Devices view.'));
    const name = deps.deviceName(machineId) ?? node?.label ?? machineId;
    const comment =
      options.comment ??
      (await vscode.window.showInputBox({
        title: vscode.l10n.t('Collect investigation package from {0}', name),
        prompt: vscode.l10n.t('Comment for the machine action (required by the API; it shows in the portal\'s action center).'),
        value: 'Troubleshooting mode evidence (MpPreference snapshots, operational logs), collected from VS Code',
        validateInput: validateComment,
      }));
    if (comment === undefined) throw new UserCancelledError();
    const client = await deps.mdeClient([deps.readScope(), COLLECT_SCOPE], uriLimiter);
    if (!client) throw new UserCancelledError(vscode.l10n.t('Collecting a package needs a sign-in with the Machine.CollectForensics permission.'));

    let action: MachineAction;
    try {
      action = await client.collectInvestigationPackage(machineId, comment);
      log.info(`collectInvestigationPackage on ${name} (${machineId}): action ${action.id}, ${action.status}`);
    } catch (err) {
      if (!(err instanceof DefenderApiError && err.status === 400)) throw err;
      // "400 if a collection is already running" (defender.md §1.3): look for it.
      const running = runningCollection(await client.listMachineActions(collectionActionsFilter(machineId), 20), machineId);
      if (!running) throw err;
      const follow =
        options.followRunning ??
        (await vscode.window.showWarningMessage(
          vscode.l10n.t('A collection is already running on {0} ({1}, requested {2}). The API starts no second one.', name, actionStatusText(running), running.creationDateTimeUtc ?? 'earlier'),
          vscode.l10n.t('Follow Running Collection'),
        )) !== undefined;
      if (!follow) throw new UserCancelledError();
      action = running;
      log.info(`following the running collection ${running.id} on ${name}`);
    }

    const done = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Investigation package from {0}', name), cancellable: true },
      async (progress, token) => {
        const controller = new AbortController();
        token.onCancellationRequested(() => controller.abort());
        return followAction(client, action.id, {
          clock: systemClock,
          signal: controller.signal,
          onStatus: (a) => progress.report({ message: actionStatusText(a) }),
        });
      },
    );
    if (done.status !== 'Succeeded') {
      throw new DefenderApiError({ status: 0, apiCode: done.status ?? 'Failed', message: vscode.l10n.t('The collection on {0} ended as {1} (action {2}).', name, actionStatusText(done), done.id) });
    }

    const folder = options.folder ?? (await pickFolder(name));
    const file = path.join(folder, packageFileName(name, done.id));
    await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Downloading the package from {0}', name), cancellable: true },
      async (progress, token) => {
        const controller = new AbortController();
        token.onCancellationRequested(() => controller.abort());
        progress.report({ message: vscode.l10n.t('asking for the download link (GetPackageUri, at most 2 calls a minute)') });
        const uri = await packageUri(client, done.id, {
          clock: systemClock,
          signal: controller.signal,
          onWait: (ms) => progress.report({ message: vscode.l10n.t('waiting {0} s: GetPackageUri allows 2 calls a minute', Math.ceil(ms / 1000)) }),
        });
        await download(uri, file, controller.signal, (text, increment) => progress.report({ message: text, increment }));
      },
    );
    log.info(`package of ${name} saved to ${file}`);
    return openPackage(vscode.Uri.file(file), options.open);
  };

  const pickFolder = async (name: string): Promise<string> => {
    const picked = await vscode.window.showOpenDialog({
      canSelectFolders: true,
      canSelectFiles: false,
      canSelectMany: false,
      title: vscode.l10n.t('Folder for the investigation package of {0}', name),
      openLabel: 'Save Package Here',
    });
    if (!picked?.[0]) throw new UserCancelledError();
    return picked[0].fsPath;
  };

  /** Lists a package and opens the chosen file (extracted into a folder named after the ZIP). */
  const openPackage = async (zipUri?: vscode.Uri, openName?: string) => {
    let uri = zipUri;
    if (!uri) {
      const picked = await vscode.window.showOpenDialog({ canSelectMany: false, filters: { 'ZIP packages': ['zip'] }, title: vscode.l10n.t('Open an investigation package') });
      if (!picked?.[0]) throw new UserCancelledError();
      uri = picked[0];
    }
    const buf = await fs.promises.readFile(uri.fsPath);
    const entries = listZip(buf);
    const listing = describePackage(entries);
    const outDir = uri.fsPath.replace(/\.zip$/i, '');
    let entry: ZipEntry | undefined;
    if (openName !== undefined) {
      entry = openName ? listing.files.find((e) => e.name === openName) : undefined;
      if (openName && !entry) throw new UserCancelledError(vscode.l10n.t('The package has no entry named {0}.', openName));
    } else {
      const pick = await vscode.window.showQuickPick(entryPickItems(listing), {
        title: `${path.basename(uri.fsPath)}: ${summary(listing)}`,
        placeHolder: vscode.l10n.t('Open a file from the package (snapshots and logs first, recognised by their names)'),
        matchOnDescription: true,
      });
      entry = pick?.entry;
    }
    let opened: string | undefined;
    if (entry) {
      const rel = safeEntryPath(entry.name);
      if (!rel) throw new UserCancelledError(vscode.l10n.t('Not extracting {0}: its name points outside the package folder.', entry.name));
      const target = path.join(outDir, ...rel.split('/'));
      await fs.promises.mkdir(path.dirname(target), { recursive: true });
      await fs.promises.writeFile(target, extractEntry(buf, entry));
      opened = target;
      await vscode.commands.executeCommand('vscode.open', vscode.Uri.file(target));
    }
    return {
      zip: uri.fsPath,
      files: listing.files.map((e) => e.name),
      snapshots: listing.snapshots.map((e) => e.name),
      logs: listing.logs.map((e) => e.name),
      opened,
    };
  };

  context.subscriptions.push(
    registerCommand(CommandIds.deviceCollectInvestigationPackage, collect, deps.log),
    registerCommand(CommandIds.packageOpen, (uri?: vscode.Uri, open?: string) => openPackage(uri instanceof vscode.Uri ? uri : undefined, open), deps.log),
  );
}

/** Streams the SAS URL to a file (no token: the URL is the credential), reporting progress; removes a partial file. */
async function download(url: string, file: string, signal: AbortSignal, report: (text: string, increment?: number) => void): Promise<void> {
  const res = await fetch(url, { signal });
  if (!res.ok || !res.body) throw new DefenderApiError({ status: res.status, apiCode: 'DownloadFailed', message: vscode.l10n.t('Downloading the package failed with HTTP {0}.', res.status) });
  const total = Number(res.headers.get('content-length')) || undefined;
  await fs.promises.mkdir(path.dirname(file), { recursive: true });
  const out = fs.createWriteStream(file);
  let received = 0;
  try {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      if (signal.aborted) throw new UserCancelledError();
      if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
      received += chunk.length;
      report(downloadProgressText(received, total), total ? (chunk.length / total) * 100 : undefined);
    }
    await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
  } catch (err) {
    out.destroy();
    await fs.promises.rm(file, { force: true });
    if (signal.aborted) throw new UserCancelledError();
    throw err;
  }
}
