'use strict';
// The Atoll tests' Strapi: at start, a full-access API token written to
// $ATOLL_TOKEN_FILE, and a webhook to $ATOLL_WEBHOOK_URL carrying the shared secret
// $ATOLL_WEBHOOK_SECRET (the same as Settings → Webhooks in the admin panel would make).
const fs = require('fs');

module.exports = {
  register() {},
  async bootstrap({ strapi }) {
    const url = process.env.ATOLL_WEBHOOK_URL;
    if (url) {
      const store = strapi.get('webhookStore');
      const existing = (await store.findWebhooks()).find((hook) => hook.name === 'atoll');
      if (!existing) {
        const webhook = await store.createWebhook({
          name: 'atoll',
          url,
          headers: { Authorization: `Bearer ${process.env.ATOLL_WEBHOOK_SECRET}` },
          events: ['entry.create', 'entry.update', 'entry.delete', 'entry.publish', 'entry.unpublish'],
        });
        strapi.get('webhookRunner').add(webhook);
      }
    }
    const tokenFile = process.env.ATOLL_TOKEN_FILE;
    if (tokenFile) {
      const token = await strapi.service('admin::api-token').create({
        name: `atoll-tests-${Date.now()}`,
        description: 'Atoll tests',
        type: 'full-access',
        kind: 'content-api',
        lifespan: null,
      });
      fs.writeFileSync(tokenFile, token.accessKey);
    }
  },
};
