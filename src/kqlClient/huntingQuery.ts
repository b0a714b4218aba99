import * as vscode from 'vscode';
import { DEFAULT_GRAPH_ENDPOINT, graphHuntingScope, normalizeEndpoint } from '../api/endpoints';
import { GraphHuntingClient } from '../api/graph';
import { RestClient } from '../api/http';
import { SettingIds } from '../constants';
import type { ILogger } from '../core/logger';

/** What "Refresh schema" needs from advanced hunting: run one query, get its rows. */
export type RunHuntingQuery = (
  query: string,
) => Promise<{ readonly schema: readonly { readonly name: string; readonly type: string }[]; readonly results: readonly Record<string, unknown>[] }>;

/** The part of infra/auth's AuthService this feature uses. */
export interface KqlAuth {
  readonly isSignedIn: boolean;
  getToken(interactive: boolean, scopes?: readonly string[]): Promise<string | undefined>;
}

/**
 * Runs a query through Microsoft Graph `runHuntingQuery` (src/api), with the endpoint the user configured and a
 * token from VS Code's Microsoft sign-in: interactive at first (refreshing the schema is a user action), silent
 * when the client asks again after a 401.
 */
export function graphHuntingQuery(auth: KqlAuth, log: ILogger): RunHuntingQuery {
  return async (query) => {
    const configured = vscode.workspace.getConfiguration().get<string>(SettingIds.graphEndpoint);
    const endpoint = normalizeEndpoint(configured, DEFAULT_GRAPH_ENDPOINT, SettingIds.graphEndpoint);
    const scopes = [graphHuntingScope(endpoint)];
    const rest = new RestClient({
      baseUrl: endpoint,
      name: 'graph',
      log,
      getToken: async ({ refresh }) => auth.getToken(!refresh, scopes),
    });
    return new GraphHuntingClient(rest).runHuntingQuery(query);
  };
}
