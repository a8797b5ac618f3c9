/** installedElectronPath returns the Electron executable when it is installed, else undefined. */
export function installedElectronPath(electronDir: string): string | undefined
