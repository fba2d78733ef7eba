export { type Link, linksIn, urlsIn } from './links.js';
