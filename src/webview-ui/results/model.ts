/** The hunting grid's model lives in the shared webview toolkit (src/webview-ui/toolkit/model.ts). */
export * from '../toolkit/model';
