/**
 * Advanced hunting's own functions (defender.md §7 names them). Columns, parameters and descriptions follow
 * MicrosoftDocs/defender-docs `defender-xdr/advanced-hunting-{fileprofile,devicefromip,assignedipaddresses}-function.md`.
 */
import type { KqlColumn } from './schema';

export interface DefenderFunctionParameter {
  readonly name: string;
  readonly type: 'string' | 'int' | 'datetime';
  readonly optional: boolean;
  readonly description: string;
}

export interface DefenderFunction {
  readonly name: string;
  /**
   * `invoke`: an enrichment applied to the rows piped into it (`| invoke FileProfile()`), whose output is the
   * input's columns plus `columns`. `table`: called like a table (`AssignedIPAddresses('dev', ago(1d))`).
   */
  readonly usage: 'invoke' | 'table';
  readonly description: string;
  readonly parameters: readonly DefenderFunctionParameter[];
  readonly columns: readonly KqlColumn[];
  /**
   * For `invoke` functions whose first argument names a column of the input without quotes
   * (`invoke FileProfile(SHA256)`): the columns it may name, or 'any' when the docs do not restrict them.
   */
  readonly columnArgument?: readonly string[] | 'any';
  readonly docsUrl: string;
}

const col = (name: string, type: KqlColumn['type'], description: string): KqlColumn => ({ name, type, description });

export const FILE_PROFILE_ID_COLUMNS = ['SHA1', 'SHA256', 'InitiatingProcessSHA1', 'InitiatingProcessSHA256'] as const;

export const DEFENDER_FUNCTIONS: readonly DefenderFunction[] = [
  {
    name: 'FileProfile',
    usage: 'invoke',
    description:
      'Enrichment function: adds file information (prevalence, signer, threat name…) to the files found by the query. `invoke FileProfile(x, y)`: x is the file ID column (SHA1 if omitted), y the number of records to enrich, 1-1000 (100 if omitted).',
    parameters: [
      { name: 'x', type: 'string', optional: true, description: 'File ID column: SHA1, SHA256, InitiatingProcessSHA1 or InitiatingProcessSHA256; SHA1 if unspecified.' },
      { name: 'y', type: 'int', optional: true, description: 'Number of records to enrich, 1-1000; 100 if unspecified.' },
    ],
    columns: [
      col('SHA1', 'string', 'SHA-1 of the file that the recorded action was applied to'),
      col('SHA256', 'string', 'SHA-256 of the file that the recorded action was applied to'),
      col('MD5', 'string', 'MD5 hash of the file that the recorded action was applied to'),
      col('FileSize', 'int', 'Size of the file in bytes'),
      col('GlobalPrevalence', 'int', 'Number of instances of the entity observed by Microsoft globally'),
      col('GlobalFirstSeen', 'datetime', 'Date and time when the entity was first observed by Microsoft globally'),
      col('GlobalLastSeen', 'datetime', 'Date and time when the entity was last observed by Microsoft globally'),
      col('Signer', 'string', 'Information about the signer of the file'),
      col('Issuer', 'string', 'Information about the issuing certificate authority (CA)'),
      col('SignerHash', 'string', 'Unique hash value identifying the signer'),
      col('IsCertificateValid', 'bool', 'Whether the certificate used to sign the file is valid'),
      col('IsRootSignerMicrosoft', 'bool', 'Whether the signer of the root certificate is Microsoft and the file is built in to Windows'),
      col('SignatureState', 'string', 'State of the file signature: SignedValid, SignedInvalid, Unsigned or Unknown'),
      col('IsExecutable', 'bool', 'Whether the file is a Portable Executable (PE) file'),
      col('ThreatName', 'string', 'Detection name for any malware or other threats found'),
      col('Publisher', 'string', 'Name of the organization that published the file'),
      col('SoftwareName', 'string', 'Name of the software product'),
      col('ProfileAvailability', 'string', 'Availability of the profile data: Available, Missing, Error, or empty'),
    ],
    columnArgument: FILE_PROFILE_ID_COLUMNS,
    docsUrl: 'https://learn.microsoft.com/defender-xdr/advanced-hunting-fileprofile-function',
  },
  {
    name: 'DeviceFromIP',
    usage: 'invoke',
    description:
      'Lists the devices that were assigned an IP address at a given time. `invoke DeviceFromIP()` reads the input column named `IP` (a local address; external addresses are not supported); an optional second argument is the time to look at.',
    parameters: [
      { name: 'x', type: 'string', optional: true, description: 'The IP address column, typically `IP`.' },
      { name: 'y', type: 'datetime', optional: true, description: 'The time to get the most recently assigned devices for; the latest records if unspecified.' },
    ],
    columns: [
      col('IP', 'string', 'IP address'),
      col('DeviceId', 'string', 'Unique identifier for the device in the service'),
    ],
    columnArgument: 'any',
    docsUrl: 'https://learn.microsoft.com/defender-xdr/advanced-hunting-devicefromip-function',
  },
  {
    name: 'AssignedIPAddresses',
    usage: 'table',
    description:
      'The latest IP addresses assigned to a device, or the most recent ones at a given time. `AssignedIPAddresses(x, y)`: x is a DeviceId or DeviceName, y an optional datetime.',
    parameters: [
      { name: 'x', type: 'string', optional: false, description: 'DeviceId or DeviceName value identifying the device.' },
      { name: 'y', type: 'datetime', optional: true, description: 'The time to get the most recent IP addresses for; the latest if unspecified.' },
    ],
    columns: [
      col('Timestamp', 'datetime', 'Latest time when the device was observed using the IP address'),
      col('IPAddress', 'string', 'IP address used by the device'),
      col('IPType', 'string', 'Whether the IP address is a public or private address'),
      col('NetworkAdapterType', 'int', 'Network adapter type used by the device that has been assigned the IP address'),
      col('ConnectedNetworks', 'int', 'Networks that the adapter with the assigned IP address is connected to'),
    ],
    docsUrl: 'https://learn.microsoft.com/defender-xdr/advanced-hunting-assignedipaddresses-function',
  },
];

export function findDefenderFunction(name: string): DefenderFunction | undefined {
  return DEFENDER_FUNCTIONS.find((f) => f.name === name);
}
