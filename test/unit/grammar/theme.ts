import type { IRawTheme } from 'vscode-textmate';

/** Token colours of VS Code's default dark theme (Dark+), abridged; used by the benchmark so that binary tokenization
 * (tokenizeLine2, what VS Code calls) resolves theme metadata as it does in the editor. */
export const DARK_PLUS: IRawTheme = {
  name: 'dark-plus-abridged',
  settings: [
    { settings: { foreground: '#D4D4D4', background: '#1E1E1E' } },
    { scope: ['comment'], settings: { foreground: '#6A9955' } },
    { scope: ['string'], settings: { foreground: '#CE9178' } },
    { scope: ['constant.character.escape'], settings: { foreground: '#D7BA7D' } },
    { scope: ['constant.numeric'], settings: { foreground: '#B5CEA8' } },
    { scope: ['constant.language'], settings: { foreground: '#569CD6' } },
    { scope: ['keyword'], settings: { foreground: '#569CD6' } },
    { scope: ['keyword.control'], settings: { foreground: '#C586C0' } },
    { scope: ['keyword.operator'], settings: { foreground: '#D4D4D4' } },
    { scope: ['storage', 'storage.type'], settings: { foreground: '#569CD6' } },
    { scope: ['storage.modifier'], settings: { foreground: '#569CD6' } },
    { scope: ['entity.name.function', 'support.function'], settings: { foreground: '#DCDCAA' } },
    { scope: ['support.class', 'entity.name.type', 'support.type'], settings: { foreground: '#4EC9B0' } },
    { scope: ['variable', 'support.variable', 'entity.name.variable', 'variable.parameter'], settings: { foreground: '#9CDCFE' } },
    { scope: ['variable.language'], settings: { foreground: '#569CD6' } },
    { scope: ['invalid'], settings: { foreground: '#F44747' } },
    { scope: ['punctuation.definition.string'], settings: { foreground: '#CE9178' } },
  ],
};
