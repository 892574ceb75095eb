/**
 * Starts a local redis-server for the BullMQ rows: on a free port, in a
 * temporary directory, with Redis' default persistence (RDB snapshots at
 * the default save points, no AOF: a crash loses the writes since the last
 * snapshot). Resolves to undefined (with the reason) when it cannot.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';

export interface RedisServer {
  readonly port: number;
  stop(): Promise<void>;
}

const candidates = ['/usr/bin/redis-server', '/usr/local/bin/redis-server'];

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.setTimeout(500);
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => {
      socket.destroy();
      resolve(data.toString().startsWith('+PONG'));
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

export async function startRedis(dir: string): Promise<{ server: RedisServer } | { reason: string }> {
  const binary = candidates.find((c) => fs.existsSync(c));
  if (binary === undefined) return { reason: `no redis-server at ${candidates.join(' or ')}` };
  const port = await freePort();
  const proc: ChildProcess = spawn(binary, ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir], { stdio: 'ignore' });
  let exited = false;
  proc.once('exit', () => (exited = true));
  for (let i = 0; i < 100 && !exited; i++) {
    if (await answersPing(port)) {
      return {
        server: {
          port,
          stop: () =>
            new Promise<void>((resolve) => {
              if (exited) return resolve();
              proc.once('exit', () => resolve());
              proc.kill('SIGTERM');
            }),
        },
      };
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  proc.kill('SIGKILL');
  return { reason: `redis-server did not answer on port ${port}` };
}
