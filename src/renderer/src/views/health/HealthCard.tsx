import { useId, type ReactNode } from 'react'

export interface HealthCardProps {
  title: string
  children: ReactNode
}

/** HealthCard is one titled group of figures, named for assistive technology by its title. */
export function HealthCard({ title, children }: HealthCardProps) {
  const id = useId()
  return (
    <section className="health-card" aria-labelledby={id}>
      <h3 id={id}>{title}</h3>
      {children}
    </section>
  )
}
