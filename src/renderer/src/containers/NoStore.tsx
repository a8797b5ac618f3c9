/** NoStore stands in for a view that needs a store while none is shown. */
export function NoStore({ view }: { view: string }) {
  return (
    <section className="view" aria-label={view}>
      <h2>{view}</h2>
      <p className="muted">Open a store on the Start view first.</p>
    </section>
  )
}
