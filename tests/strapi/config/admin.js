module.exports = ({ env }) => ({
  // The tests use the REST API only: no admin panel to build or serve.
  serveAdminPanel: false,
  auth: { secret: env('ADMIN_JWT_SECRET', 'atoll-test-admin-jwt-secret') },
  apiToken: { salt: env('API_TOKEN_SALT', 'atoll-test-api-token-salt') },
  transfer: { token: { salt: env('TRANSFER_TOKEN_SALT', 'atoll-test-transfer-salt') } },
  secrets: { encryptionKey: env('ENCRYPTION_KEY', 'atoll-test-encryption-key-32chars!') },
});
