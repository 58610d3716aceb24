/**
 * A loopback TCP relay in front of a server whose replies reach each client late, by a latency
 * chosen per connection in the order the connections arrive: the timing of a loaded machine, where
 * one client's handshake finishes long after another's, made repeatable.
 */
import net from 'node:net';

export interface SlowLink {
  port: number;
  close(): Promise<void>;
}

/** Connection n gets replies `latenciesMs[n % latenciesMs.length]` ms late. */
export async function startSlowLink(targetPort: number, latenciesMs: number[]): Promise<SlowLink> {
  let n = 0;
  const sockets = new Set<net.Socket>();
  // Half-open on both sides: a client that ends its side (ioredis disconnect) still gets the replies on their way.
  const server = net.createServer({ allowHalfOpen: true }, (client) => {
    const delay = latenciesMs[n++ % latenciesMs.length];
    const upstream = net.connect({ port: targetPort, host: '127.0.0.1', allowHalfOpen: true });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => s.destroy());
      s.on('close', () => sockets.delete(s));
    }
    client.on('data', (d) => upstream.write(d));
    client.on('end', () => upstream.end());
    upstream.on('data', (d) => setTimeout(() => client.writable && client.write(d), delay));
    upstream.on('end', () => setTimeout(() => client.end(), delay + 10));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
