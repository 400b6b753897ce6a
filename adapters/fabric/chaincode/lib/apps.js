'use strict';
// Looking up an app record, shared by the preset contract and the interchain contract: an app
// that does not exist, or lives on another channel (a directory entry), is NOT_FOUND here.
const { fail } = require('./errors.js');
const { creatorAccount } = require('./accounts.js');
const { checkId } = require('./rules.js');
const { appKey, getJson } = require('./state.js');

async function loadApp(ctx, appId, field = '/app/appId') {
  checkId(appId, field);
  const app = await getJson(ctx, appKey(appId));
  if (!app) fail('NOT_FOUND', `app ${JSON.stringify(appId)} does not exist`, { appId });
  if (app.directory)
    fail('NOT_FOUND', `app ${JSON.stringify(appId)} lives on its own channel ${app.channel}, not on this one`, {
      appId,
      channel: app.channel,
    });
  return app;
}

/** The app, when the transaction's creator is its admin (owner); UNAUTHORIZED otherwise. */
async function loadAppAsAdmin(ctx, appId, what) {
  const app = await loadApp(ctx, appId);
  const caller = creatorAccount(ctx);
  if (caller !== app.admin) fail('UNAUTHORIZED', `only the app's admin may ${what}`, { caller, admin: app.admin });
  return app;
}

module.exports = { loadApp, loadAppAsAdmin };
