export { createEventBus, type EventBus, type Listener, type Publisher } from './event-bus.js';
