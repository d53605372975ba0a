/** Where Firefox connects; apart from index.ts so that naming it does not load the push service (and ws). */
export const WEBSOCKET_PATH = '/push/ws';
