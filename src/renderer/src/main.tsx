import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { App } from './App'
import { connect } from './api/connect'
import { createInspector } from './state/createInspector'

const container = document.getElementById('root')
if (container === null) {
  throw new Error('Lighthouse Store could not start its page: index.html has no #root element.')
}
// One connection for the page's life, made outside React so StrictMode's double effects
// never open a second WebSocket.
const inspector = createInspector(connect(window))
createRoot(container).render(
  <StrictMode>
    <App inspector={inspector} />
  </StrictMode>,
)
