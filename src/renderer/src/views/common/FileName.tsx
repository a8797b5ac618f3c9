/**
 * FileName shows a file name as one word: it never breaks at the name's hyphens, and in a
 * column too narrow for it, only before its extension (segment-0000000001 / .log.gz).
 */
export function FileName({ name }: { name: string }) {
  const dot = name.indexOf('.')
  if (dot <= 0) return <span className="file-name">{name}</span>
  return (
    <>
      <span className="file-name">{name.slice(0, dot)}</span>
      <wbr />
      <span className="file-name">{name.slice(dot)}</span>
    </>
  )
}
