export { createOnlineApi, type OnlineApi, queryString } from "./online/create-online-api.ts";
