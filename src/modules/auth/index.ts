export { createApiKeysRepository } from './api-keys.repository.js';
export { type AuthService, createAuthService, hashKey } from './auth.service.js';
