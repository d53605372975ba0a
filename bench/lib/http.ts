/** The harness's HTTP client for Carillon's API (undici, a keep-alive pool on loopback). */
import { Agent, request, type Dispatcher } from 'undici';

const agent = new Agent({ connections: 16, keepAliveTimeout: 30_000 });

export interface ApiResponse {
  status: number;
  body: any;
}

/** One API call; `dispatcher` for a pool of its own (a load generator with more requests at once than the shared pool holds). */
export async function callApi(base: string, method: 'GET' | 'POST' | 'PUT', path: string, key: string, body?: unknown, dispatcher: Dispatcher = agent): Promise<ApiResponse> {
  const res = await request(`${base}${path}`, {
    method,
    dispatcher,
    headers: { authorization: `Bearer ${key}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.body.text();
  return { status: res.statusCode, body: text ? JSON.parse(text) : undefined };
}

export async function closeApiClient(): Promise<void> {
  await agent.close();
}
