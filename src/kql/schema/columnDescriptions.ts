/**
 * Column descriptions for hover and completion. The shipped schema (ah-schema.json) carries names and types only;
 * these are the descriptions of the DeviceEvents reference page (MicrosoftDocs/defender-docs
 * `defender-xdr/advanced-hunting-deviceevents-table.md` at 006b8a9f), whose columns the other Device* tables
 * share with the same wording. They are applied to those Device* tables only, where the names mean the same thing.
 */
export const DEVICE_COLUMN_DESCRIPTIONS: Readonly<Record<string, string>> = {
  Timestamp: 'Date and time when the event was recorded',
  DeviceId: 'Unique identifier for the device in the service',
  DeviceName: 'Fully qualified domain name (FQDN) of the device',
  ActionType: 'Type of activity that triggered the event (see the in-portal schema reference for the values)',
  FileName: 'Name of the file that the recorded action was applied to',
  FolderPath: 'Folder containing the file that the recorded action was applied to',
  SHA1: 'SHA-1 of the file that the recorded action was applied to',
  SHA256: 'SHA-256 of the file that the recorded action was applied to. This field is usually not populated — use the SHA1 column when available.',
  MD5: 'MD5 hash of the file that the recorded action was applied to',
  FileSize: 'Size of the file in bytes',
  AccountDomain: 'Domain of the account',
  AccountName: 'User name of the account; if the device is registered in Microsoft Entra ID, the Entra ID user name of the account might be shown instead',
  AccountSid: 'Security Identifier (SID) of the account',
  RemoteUrl: 'URL or fully qualified domain name (FQDN) that was being connected to',
  RemoteDeviceName: 'Name of the device that performed a remote operation on the affected device (an FQDN, a NetBIOS name, or a host name without domain information)',
  ProcessId: 'Process ID (PID) of the newly created process',
  ProcessCommandLine: 'Command line used to create the new process',
  ProcessCreationTime: 'Date and time the process was created',
  ProcessTokenElevation: 'Type of token elevation applied to the newly created process: TokenElevationTypeLimited (restricted), TokenElevationTypeDefault (standard), or TokenElevationTypeFull (elevated)',
  LogonId: 'Identifier for a logon session. This identifier is unique on the same device only between restarts.',
  RegistryKey: 'Registry key that the recorded action was applied to',
  RegistryValueName: 'Name of the registry value that the recorded action was applied to',
  RegistryValueData: 'Data of the registry value that the recorded action was applied to',
  RemoteIP: 'IP address that was being connected to',
  RemotePort: 'TCP port on the remote device that was being connected to',
  LocalIP: 'IP address assigned to the local device used during communication',
  LocalPort: 'TCP port on the local device used during communication',
  FileOriginUrl: 'URL where the file was downloaded from',
  FileOriginIP: 'IP address where the file was downloaded from',
  InitiatingProcessSHA1: 'SHA-1 of the process (image file) that initiated the event',
  InitiatingProcessSHA256: 'SHA-256 of the process (image file) that initiated the event. This field is usually not populated — use the SHA1 column when available.',
  InitiatingProcessMD5: 'MD5 hash of the process (image file) that initiated the event',
  InitiatingProcessFileName: 'Name of the process file that initiated the event; if unavailable, the name of the process that initiated the event might be shown instead',
  InitiatingProcessFileSize: 'Size of the file that ran the process responsible for the event',
  InitiatingProcessFolderPath: 'Folder containing the process (image file) that initiated the event',
  InitiatingProcessId: 'Process ID (PID) of the process that initiated the event',
  InitiatingProcessCommandLine: 'Command line used to run the process that initiated the event',
  InitiatingProcessCreationTime: 'Date and time when the process that initiated the event was started',
  InitiatingProcessAccountDomain: 'Domain of the account that ran the process responsible for the event',
  InitiatingProcessAccountName: 'User name of the account that ran the process responsible for the event; if the device is registered in Microsoft Entra ID, the Entra ID user name might be shown instead',
  InitiatingProcessAccountSid: 'Security Identifier (SID) of the account that ran the process responsible for the event',
  InitiatingProcessAccountUpn: 'User principal name (UPN) of the account that ran the process responsible for the event; if the device is registered in Microsoft Entra ID, the Entra ID UPN might be shown instead',
  InitiatingProcessAccountObjectId: 'Microsoft Entra object ID of the user account that ran the process responsible for the event',
  InitiatingProcessVersionInfoCompanyName: 'Company name from the version information of the process (image file) responsible for the event',
  InitiatingProcessVersionInfoProductName: 'Product name from the version information of the process (image file) responsible for the event',
  InitiatingProcessVersionInfoProductVersion: 'Product version from the version information of the process (image file) responsible for the event',
  InitiatingProcessVersionInfoInternalFileName: 'Internal file name from the version information of the process (image file) responsible for the event',
  InitiatingProcessVersionInfoOriginalFileName: 'Original file name from the version information of the process (image file) responsible for the event',
  InitiatingProcessVersionInfoFileDescription: 'Description from the version information of the process (image file) responsible for the event',
  InitiatingProcessParentId: 'Process ID (PID) of the parent process that spawned the process responsible for the event',
  InitiatingProcessParentFileName: 'Name or full path of the parent process that spawned the process responsible for the event',
  InitiatingProcessParentCreationTime: 'Date and time when the parent of the process responsible for the event was started',
  InitiatingProcessLogonId: 'Identifier for a logon session of the process that initiated the event. This identifier is unique on the same device only between restarts.',
  ReportId: 'Event identifier based on a repeating counter. To identify unique events, use it together with the DeviceName and Timestamp columns.',
  AppGuardContainerId: 'Identifier for the virtualized container used by Application Guard to isolate browser activity',
  AdditionalFields: 'Additional information about the event in JSON array format (a string: use parse_json)',
  InitiatingProcessSessionId: 'Windows session ID of the initiating process',
  IsInitiatingProcessRemoteSession: 'Whether the initiating process was run under a remote desktop protocol (RDP) session (true) or locally (false)',
  InitiatingProcessRemoteSessionDeviceName: "Device name of the remote device from which the initiating process's RDP session was initiated",
  InitiatingProcessRemoteSessionIP: "IP address of the remote device from which the initiating process's RDP session was initiated",
  CreatedProcessSessionId: 'Windows session ID of the created process',
  IsProcessRemoteSession: 'Whether the created process was run under a remote desktop protocol (RDP) session (true) or locally (false)',
  ProcessRemoteSessionDeviceName: "Device name of the remote device from which the created process's RDP session was initiated",
  ProcessRemoteSessionIP: "IP address of the remote device from which the created process's RDP session was initiated",
};

/**
 * The Device* tables whose pages share DeviceEvents' wording. Not the vulnerability-management (DeviceTvm*) and
 * baseline-compliance tables: there the same names can differ (their AdditionalFields is dynamic, not a string).
 */
const SHARED_WORDING = /^Device(?!Tvm|BaselineCompliance)/;

/** A column's description: its own, else the shared Device* wording for a Device* table that shares it. */
export function describeColumn(table: string, column: string, own?: string): string | undefined {
  if (own) return own;
  return SHARED_WORDING.test(table) ? DEVICE_COLUMN_DESCRIPTIONS[column] : undefined;
}
