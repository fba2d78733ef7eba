export {
  createEventBus,
  type EventBus,
  type EventBusOptions,
  type Listener,
  type Publisher,
} from './event-bus.js';
