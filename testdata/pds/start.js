#!/usr/bin/env node
// Starts a did:plc directory (@did-plc/server, in memory) and the Bluesky
// reference PDS (@atproto/pds) on loopback for skyswitch integration tests.
//
// When both listen it prints exactly one line to stdout, KEY=VALUE pairs
// separated by single spaces (values never contain spaces or quotes):
//
//   SKYSWITCH_TEST_PDS_URL=http://localhost:N SKYSWITCH_TEST_PDS_ADMIN_PASSWORD=...
//   SKYSWITCH_TEST_PLC_URL=http://localhost:M SKYSWITCH_TEST_PDS_DATA_DIR=/tmp/skyswitch-test-pds-...
//   SKYSWITCH_TEST_PDS_JWT_SECRET=...   (all on one line)
//
// SKYSWITCH_TEST_PDS_DATA_DIR holds account.sqlite (email tokens are in its
// email_token table); SKYSWITCH_TEST_PDS_JWT_SECRET signs the HS256 JWTs.
//
// and keeps running. SIGTERM or SIGINT stops both servers, removes the data
// directory and exits 0. Everything else goes to stderr.
//
// Environment (all optional):
//   SKYSWITCH_TEST_PDS_PORT            PDS port (default: a free port)
//   SKYSWITCH_TEST_PLC_PORT            PLC port (default: a free port)
//   SKYSWITCH_TEST_PDS_BIND            address to bind both servers (default 127.0.0.1)
//   SKYSWITCH_TEST_PDS_ADMIN_PASSWORD  admin password (default: random hex)
//   SKYSWITCH_TEST_PDS_JWT_SECRET      JWT secret (default: random hex)
//   SKYSWITCH_TEST_PDS_DIDDOC_WITH_SESSION  "1"/"true" to include didDoc in
//                                      createSession/refreshSession/getSession
//                                      (default off: clients must resolve the DID via PLC)
//   SKYSWITCH_TEST_PDS_LOG             "1"/"true" to enable the PDS's pino logging (to stderr)
//   SKYSWITCH_TEST_PDS_WATCH_PID       exit (cleanly) when this process disappears
'use strict'

const truthy = (v) => /^(1|true|t|yes|on)$/i.test(String(v ?? '').trim())

// The @atproto loggers read these at require time. Logging is off unless
// asked for; when on, it must not go to stdout (stdout carries the env line).
if (truthy(process.env.SKYSWITCH_TEST_PDS_LOG)) {
  process.env.LOG_ENABLED = 'true'
  process.env.LOG_DESTINATION = process.env.LOG_DESTINATION || '/dev/stderr'
} else {
  process.env.LOG_ENABLED = 'false'
}

const crypto = require('node:crypto')
const fs = require('node:fs')
const net = require('node:net')
const os = require('node:os')
const path = require('node:path')

const pds = require('@atproto/pds')
const plc = require('@did-plc/server')
const { Secp256k1Keypair } = require('@atproto/crypto')

const log = (...args) => console.error('[test-pds]', ...args)
const bindHost = process.env.SKYSWITCH_TEST_PDS_BIND || '127.0.0.1'

// Express's app.listen(port) binds every interface; bind loopback instead.
function bindListen(app) {
  const listen = app.listen.bind(app)
  app.listen = (port, ...rest) => {
    if (typeof rest[0] === 'string') return listen(port, ...rest)
    return listen(port, bindHost, ...rest)
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer()
    srv.unref()
    srv.on('error', reject)
    srv.listen(0, bindHost, () => {
      const { port } = srv.address()
      srv.close(() => resolve(port))
    })
  })
}

function envPort(name) {
  const v = process.env[name]
  if (v === undefined || v === '' || v === '0') return undefined
  const n = Number(v)
  if (!Number.isInteger(n) || n < 1 || n > 65535) {
    throw new Error(`${name}=${v} is not a valid port`)
  }
  return n
}

function shellSafe(name, v) {
  if (!/^[A-Za-z0-9._~+\-]+$/.test(v)) {
    throw new Error(`${name} must match [A-Za-z0-9._~+-]+ (it is printed unquoted)`)
  }
  return v
}

let plcServer
let pdsServer
let dataDir
let stopping = false

async function withTimeout(p, ms, what) {
  let t
  const timeout = new Promise((resolve) => {
    t = setTimeout(() => {
      log(`${what}: still not done after ${ms} ms, giving up`)
      resolve()
    }, ms)
  })
  try {
    await Promise.race([p, timeout])
  } finally {
    clearTimeout(t)
  }
}

async function shutdown(code, why) {
  if (stopping) return
  stopping = true
  if (why) log(`stopping (${why})`)
  if (pdsServer) {
    await withTimeout(pdsServer.destroy().catch((e) => log('pds destroy:', e)), 10000, 'pds destroy')
  }
  if (plcServer) {
    await withTimeout(plcServer.destroy().catch((e) => log('plc destroy:', e)), 5000, 'plc destroy')
  }
  if (dataDir) {
    try {
      fs.rmSync(dataDir, { recursive: true, force: true })
    } catch (e) {
      log('removing data dir:', e)
    }
  }
  process.exit(code)
}

async function startPlc() {
  const port = envPort('SKYSWITCH_TEST_PLC_PORT') ?? 0
  const server = plc.PlcServer.create({ db: plc.Database.mock(), port })
  bindListen(server.app)
  const http = await server.start()
  plcServer = server
  return http.address().port
}

async function startPds(plcPort) {
  const fixedPort = envPort('SKYSWITCH_TEST_PDS_PORT')
  const jwtSecret = shellSafe(
    'SKYSWITCH_TEST_PDS_JWT_SECRET',
    process.env.SKYSWITCH_TEST_PDS_JWT_SECRET || crypto.randomBytes(32).toString('hex'),
  )
  const adminPassword = shellSafe(
    'SKYSWITCH_TEST_PDS_ADMIN_PASSWORD',
    process.env.SKYSWITCH_TEST_PDS_ADMIN_PASSWORD || crypto.randomBytes(16).toString('hex'),
  )
  const rotationKey = await Secp256k1Keypair.create({ exportable: true })
  const rotationKeyHex = Buffer.from(await rotationKey.export()).toString('hex')

  // A free port is probed then released before the PDS binds it (the PDS
  // needs its port up front: its public URL is derived from it), so retry on
  // the rare race when the port was not given explicitly.
  const attempts = fixedPort ? 1 : 5
  for (let i = 1; ; i++) {
    const port = fixedPort ?? (await freePort())
    const env = {
      port,
      hostname: 'localhost',
      devMode: true,
      version: '0.0.0-skyswitch-test',
      dataDirectory: dataDir,
      blobstoreDiskLocation: path.join(dataDir, 'blobs'),
      didPlcUrl: `http://localhost:${plcPort}`,
      inviteRequired: false,
      serviceHandleDomains: ['.test'],
      enableDidDocWithSession: truthy(process.env.SKYSWITCH_TEST_PDS_DIDDOC_WITH_SESSION),
      rateLimitsEnabled: false,
      bskyAppViewUrl: 'http://localhost:1',
      bskyAppViewDid: 'did:example:skyswitch-test-appview',
      crawlers: [],
      jwtSecret,
      adminPassword,
      plcRotationKeyK256PrivateKeyHex: rotationKeyHex,
    }
    const server = await pds.PDS.create(pds.envToCfg(env), pds.envToSecrets(env))
    bindListen(server.app)
    try {
      await server.start()
      pdsServer = server
      return { port, adminPassword, jwtSecret }
    } catch (e) {
      await withTimeout(server.destroy().catch(() => {}), 5000, 'pds destroy after failed start')
      if (e && e.code === 'EADDRINUSE' && i < attempts) {
        log(`port ${port} taken, retrying`)
        continue
      }
      throw e
    }
  }
}

function watchPid() {
  const v = process.env.SKYSWITCH_TEST_PDS_WATCH_PID
  if (!v) return
  const pid = Number(v)
  if (!Number.isInteger(pid) || pid <= 0) return
  const timer = setInterval(() => {
    try {
      process.kill(pid, 0)
    } catch (e) {
      if (e.code === 'ESRCH') shutdown(0, `watched process ${pid} is gone`)
    }
  }, 2000)
  timer.unref()
}

async function main() {
  process.on('SIGTERM', () => shutdown(0, 'SIGTERM'))
  process.on('SIGINT', () => shutdown(0, 'SIGINT'))
  process.on('SIGHUP', () => shutdown(0, 'SIGHUP'))

  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'skyswitch-test-pds-'))
  fs.mkdirSync(path.join(dataDir, 'blobs'))

  const t0 = Date.now()
  const plcPort = await startPlc()
  const { port, adminPassword, jwtSecret } = await startPds(plcPort)
  log(`plc on ${bindHost}:${plcPort}, pds on ${bindHost}:${port}, data in ${dataDir}, ` +
    `didDoc with session: ${truthy(process.env.SKYSWITCH_TEST_PDS_DIDDOC_WITH_SESSION)}, ` +
    `started in ${Date.now() - t0} ms`)
  watchPid()

  const vars = [
    ['SKYSWITCH_TEST_PDS_URL', `http://localhost:${port}`],
    ['SKYSWITCH_TEST_PDS_ADMIN_PASSWORD', adminPassword],
    ['SKYSWITCH_TEST_PLC_URL', `http://localhost:${plcPort}`],
    ['SKYSWITCH_TEST_PDS_DATA_DIR', dataDir],
    // HS256 key of the PDS's access and refresh JWTs: lets tests mint an
    // expired token, since token lifetimes are not configurable.
    ['SKYSWITCH_TEST_PDS_JWT_SECRET', jwtSecret],
  ]
  for (const [k, v] of vars) {
    // The line is parsed by splitting on spaces and '='; keep it that simple.
    if (!/^[A-Za-z0-9._~+\-\/:]+$/.test(v)) throw new Error(`${k}=${v}: unsupported characters`)
  }
  process.stdout.write(vars.map(([k, v]) => `${k}=${v}`).join(' ') + '\n')
}

main().catch((e) => {
  log('failed to start:', e && e.stack ? e.stack : e)
  shutdown(1)
})
