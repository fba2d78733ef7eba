// Kept for the browser session only: closing the tab forgets it.
const STORAGE_KEY = 'berth.apiKey';

export const getKey = (): string | null => sessionStorage.getItem(STORAGE_KEY);
export const setKey = (key: string) => sessionStorage.setItem(STORAGE_KEY, key);
export const clearKey = () => sessionStorage.removeItem(STORAGE_KEY);
