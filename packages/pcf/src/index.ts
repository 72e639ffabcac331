export {
  createPcfWebApi,
  type OfflinePcfWebApi,
  type PcfContextLike,
  toPcfWebApi,
} from "./create-pcf-web-api.ts";
