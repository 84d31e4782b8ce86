// The entry of the browser bundle (web/static/box.js): the API of index.js as one frozen global object, so that
// classic scripts (the pages' own, under the Content-Security-Policy) can call it.

import * as api from './index.js';

globalThis.tinnhiemBox = Object.freeze({ ...api });
