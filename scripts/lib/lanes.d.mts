export function testExtensions(): string[];
export function doubleEnvironment(): { DEFENDER_STANDIN_STATE: string };
export function removeDoubleEnvironment(env: { DEFENDER_STANDIN_STATE: string } | undefined): void;
export function startApiEmulatorIfPresent(): Promise<{ url: string; stop(): Promise<void> }>;
