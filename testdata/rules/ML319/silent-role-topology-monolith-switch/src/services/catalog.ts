import { defineService } from "@connectum/core";
import { CatalogService } from "../gen/library/v1/library_pb.ts";

export const catalog = defineService(CatalogService, {
  async findBook(req) {
    return { isbn: req.isbn, title: "unknown" };
  },
});
