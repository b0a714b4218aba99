import * as vscode from 'vscode';
import { OUTPUT_CHANNEL_NAME } from '../constants';
import type { ILogger } from '../core/logger';
import { redactSecrets } from '../core/redact';

/** The extension's one LogOutputChannel; the level is set by "Developer: Set Log Level…". */
export class ChannelLogger implements ILogger, vscode.Disposable {
  readonly channel: vscode.LogOutputChannel;
  constructor() {
    this.channel = vscode.window.createOutputChannel(OUTPUT_CHANNEL_NAME, { log: true });
  }
  trace(message: string): void { this.channel.trace(redactSecrets(message)); }
  debug(message: string): void { this.channel.debug(redactSecrets(message)); }
  info(message: string): void { this.channel.info(redactSecrets(message)); }
  warn(message: string): void { this.channel.warn(redactSecrets(message)); }
  error(message: string | Error): void {
    this.channel.error(redactSecrets(message instanceof Error ? (message.stack ?? message.message) : message));
  }
  show(): void { this.channel.show(true); }
  dispose(): void { this.channel.dispose(); }
}
