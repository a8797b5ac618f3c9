import { BRIDGE_PATH } from '../../../shared/wireProtocol'

/**
 * bridgeUrl is the WebSocket address of the bridge on the host that served the page. The
 * session cookie authenticates it; a `?token=` in the page's own URL is passed on for hosts
 * started without the cookie login.
 */
export function bridgeUrl(location: Pick<Location, 'protocol' | 'host' | 'search'>): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:'
  const url = new URL(`${scheme}//${location.host}${BRIDGE_PATH}`)
  const token = new URLSearchParams(location.search).get('token')
  if (token !== null && token !== '') url.searchParams.set('token', token)
  return url.toString()
}
