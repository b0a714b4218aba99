import { describeTimespan, validateTimespan } from '../../api/timespan';
import { l10n } from '../../core/l10n';

export interface TimespanChoice {
  readonly value: string;
  readonly label: string;
  readonly detail?: string;
}

/** The picker's presets. 4 h 15 min covers one troubleshooting session and its up-to-15-minute start. */
export const TIMESPAN_PRESETS: readonly TimespanChoice[] = [
  { value: 'PT1H', get label() { return l10n.t('Last hour'); } },
  { value: 'PT4H15M', get label() { return l10n.t('Last 4 h 15 min'); }, get detail() { return l10n.t('One troubleshooting session: 4 hours, plus up to 15 minutes to start'); } },
  { value: 'P1D', get label() { return l10n.t('Last 24 hours'); } },
  { value: 'P7D', get label() { return l10n.t('Last 7 days'); } },
  { value: 'P30D', get label() { return l10n.t('Last 30 days'); }, get detail() { return l10n.t('The service default and the usual data retention'); } },
];

export const CUSTOM_TIMESPAN = 'custom';

/**
 * The choices in order, with the one to preselect: the file's last-used timespan, else the default setting.
 * A non-preset value (custom, or a default from settings) is listed first so Enter accepts it.
 */
export function timespanChoices(defaultValue: string, lastUsed?: string): { choices: TimespanChoice[]; active: string } {
  const valid = (v: string | undefined) => !!v && validateTimespan(v) === undefined;
  const active = valid(lastUsed) ? lastUsed! : valid(defaultValue) ? defaultValue : 'P30D';
  const choices = [...TIMESPAN_PRESETS];
  if (!choices.some((c) => c.value === active)) {
    choices.unshift({ value: active, label: labelFor(active), detail: lastUsed === active ? l10n.t('Used last time in this file') : l10n.t('From the default setting') });
  }
  return { choices, active };
}

/** The picker's words for a timespan. @l10n */
export function labelFor(value: string): string {
  const preset = TIMESPAN_PRESETS.find((c) => c.value === value);
  if (preset) return preset.label;
  const words = describeTimespan(value);
  return words === value ? value : l10n.t('Last {0}', words);
}
