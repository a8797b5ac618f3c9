/**
 * downloadText saves text as a file through a Blob and an object URL: it works in Electron
 * and in a browser under the page's CSP (blob: is same-origin), and needs no file-system
 * access from the renderer.
 */
export function downloadText(fileName: string, text: string, mimeType: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: mimeType }))
  const anchor = document.createElement('a')
  anchor.href = url
  anchor.download = fileName
  anchor.rel = 'noopener'
  document.body.append(anchor)
  anchor.click()
  anchor.remove()
  // The click has started the download synchronously, so the URL can be released now.
  URL.revokeObjectURL(url)
}
