/** App is the inspector's whole page; for now it only says that the inspector is coming. */
export function App() {
  const bridgeVersion = window.lighthouse?.version
  return (
    <main>
      <h1>Lighthouse Store</h1>
      <p>The inspector UI is coming: stores, live events, checksums and recovery reports.</p>
      {bridgeVersion !== undefined && <p>Desktop bridge version {bridgeVersion}</p>}
    </main>
  )
}
