import { request as httpRequest } from 'node:http'

export interface Answer {
  status: number
  headers: Record<string, string | string[] | undefined>
  text: string
  json: unknown
}

export interface RequestOptions {
  method?: string
  path: string
  headers?: Record<string, string>
  body?: string | Buffer
}

/** send makes one HTTP request with full control of headers (fetch forbids setting Host). */
export function send(port: number, options: RequestOptions): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        method: options.method ?? 'GET',
        path: options.path,
        headers: options.headers ?? {},
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (chunk: Buffer) => chunks.push(chunk))
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8')
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text,
            json: parseJson(text),
          })
        })
        res.on('error', reject)
      },
    )
    req.on('error', reject)
    req.end(options.body)
  })
}

/** jsonRequest builds the headers and body of a JSON request with a bearer token. */
export function jsonRequest(
  token: string | null,
  method: string,
  path: string,
  body?: unknown,
): RequestOptions {
  const headers: Record<string, string> = {}
  if (token !== null) headers['authorization'] = `Bearer ${token}`
  if (body !== undefined) headers['content-type'] = 'application/json'
  return { method, path, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return null
  }
}
