/** __LIGHTHOUSE_VERSION__ is package.json's version, replaced at build time (electron.vite.config.ts). */
declare const __LIGHTHOUSE_VERSION__: string
