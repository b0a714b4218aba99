import { CommandIds, ContextKeys, ViewIds } from '../constants';
import type { ILogger } from '../core/logger';
import type { NodeVM } from '../core/treeModel';
import { setContext } from '../infra/contexts';
import { RowSourceView } from './vmTree';

/**
 * Troubleshooting sessions, from the device engine (this device) and hunting results (the tenant).
 * With no rows the view shows its welcome content.
 */
export class SessionsView extends RowSourceView {
  constructor(log: ILogger) {
    super(ViewIds.sessions, CommandIds.sessionsRefresh, log);
  }

  protected async roots(): Promise<NodeVM[]> {
    const rows = await this.sourceRows();
    void setContext(ContextKeys.sessionsEmpty, rows.length === 0);
    return rows;
  }
}
