/** The hunting grid's messages live in the shared webview toolkit (src/webview-ui/toolkit/protocol.ts). */
export * from '../toolkit/protocol';
