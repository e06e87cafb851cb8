import { defineService } from "@connectum/core";
import { LoanService } from "../gen/library/v1/library_pb.ts";

export const loans = defineService(LoanService, {
  async borrow(req) {
    return { id: `${req.member}:${req.isbn}` };
  },
});
