/**
 * Preloaded into a process under test (node --require): records every attempt the process makes
 * to reach anything but this machine — a TCP or TLS connection, a UDP datagram, a DNS lookup —
 * one JSON line each in the file named by MEG_OUTBOUND_LOG, with where it was going and from what
 * stack. Loopback addresses and Unix sockets are the machine itself and are not recorded.
 * The attempt then fails, as it would on a closed network.
 */
'use strict';
const fs = require('node:fs');
const net = require('node:net');
const dns = require('node:dns');
const dgram = require('node:dgram');

const LOG = process.env.MEG_OUTBOUND_LOG;
if (!LOG) throw new Error('outboundRecorder: MEG_OUTBOUND_LOG names no file');

function local(host) {
  if (host === undefined || host === null || host === '' || host === 'localhost') return true;
  const h = String(host).replace(/^\[|\]$/g, '');
  return h === '::1' || h === '0.0.0.0' || h === '::' || /^127\./.test(h) || /^::ffff:127\./.test(h);
}

function record(kind, destination) {
  const stack = (new Error().stack || '')
    .split('\n')
    .slice(3, 9)
    .map((l) => l.trim());
  fs.appendFileSync(LOG, `${JSON.stringify({ kind, destination, stack })}\n`);
}

const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (...args) {
  const first = Array.isArray(args[0]) ? args[0][0] : args[0];
  let host;
  let port;
  let path;
  if (first && typeof first === 'object') ({ host, port, path } = first);
  else if (typeof first === 'string' && Number.isNaN(Number(first))) path = first;
  else ((port = first), (host = typeof args[1] === 'string' ? args[1] : undefined));
  if (path === undefined && !local(host)) {
    record('tcp', `${host}:${port}`);
    process.nextTick(() => this.destroy(new Error(`outbound connection to ${host}:${port} blocked by the test`)));
    return this;
  }
  return connect.apply(this, args);
};

function wrapLookup(original) {
  return function (hostname, ...rest) {
    if (!local(hostname) && net.isIP(hostname) === 0) record('dns', hostname);
    return original.call(this, hostname, ...rest);
  };
}
dns.lookup = wrapLookup(dns.lookup);
dns.promises.lookup = wrapLookup(dns.promises.lookup);

const send = dgram.Socket.prototype.send;
dgram.Socket.prototype.send = function (...args) {
  const address = args.find((a, i) => i > 0 && typeof a === 'string');
  if (!local(address)) record('udp', address);
  return send.apply(this, args);
};
