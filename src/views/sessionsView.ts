import { CommandIds, ViewIds } from '../constants';
import type { ILogger } from '../core/logger';
import type { NodeVM } from '../core/treeModel';
import { RowSourceView } from './vmTree';

/**
 * Troubleshooting sessions, from the device engine (this device) and hunting results (the tenant).
 * With no rows the view shows its welcome content.
 */
export class SessionsView extends RowSourceView {
  constructor(log: ILogger) {
    super(ViewIds.sessions, CommandIds.sessionsRefresh, log);
  }

  protected roots(): Promise<NodeVM[]> {
    return this.sourceRows();
  }
}
