import { createServer } from '@connectum/core';
function f0(p) { return createServer({ port: p }); }
const g0 = (a) => a;
function f1(p) { f0(p); f0(p + 1); return f0(p); }
function f2(p) { f1(p); f1(p + 1); return f1(p); }
function f3(p) { f2(p); f2(p + 1); return f2(p); }
function f4(p) { f3(p); f3(p + 1); return f3(p); }
function f5(p) { f4(p); f4(p + 1); return f4(p); }
function f6(p) { f5(p); f5(p + 1); return f5(p); }
function f7(p) { f6(p); f6(p + 1); return f6(p); }
function f8(p) { f7(p); f7(p + 1); return f7(p); }
function f9(p) { f8(p); f8(p + 1); return f8(p); }
function f10(p) { f9(p); f9(p + 1); return f9(p); }
function f11(p) { f10(p); f10(p + 1); return f10(p); }
function f12(p) { f11(p); f11(p + 1); return f11(p); }
function f13(p) { f12(p); f12(p + 1); return f12(p); }
function f14(p) { f13(p); f13(p + 1); return f13(p); }
function f15(p) { f14(p); f14(p + 1); return f14(p); }
function f16(p) { f15(p); f15(p + 1); return f15(p); }
function f17(p) { f16(p); f16(p + 1); return f16(p); }
function f18(p) { f17(p); f17(p + 1); return f17(p); }
function f19(p) { f18(p); f18(p + 1); return f18(p); }
function f20(p) { f19(p); f19(p + 1); return f19(p); }
function f21(p) { f20(p); f20(p + 1); return f20(p); }
function f22(p) { f21(p); f21(p + 1); return f21(p); }
function f23(p) { f22(p); f22(p + 1); return f22(p); }
function f24(p) { f23(p); f23(p + 1); return f23(p); }
function f25(p) { f24(p); f24(p + 1); return f24(p); }
function f26(p) { f25(p); f25(p + 1); return f25(p); }
function f27(p) { f26(p); f26(p + 1); return f26(p); }
function f28(p) { f27(p); f27(p + 1); return f27(p); }
function f29(p) { f28(p); f28(p + 1); return f28(p); }
function f30(p) { f29(p); f29(p + 1); return f29(p); }
function f31(p) { f30(p); f30(p + 1); return f30(p); }
function f32(p) { f31(p); f31(p + 1); return f31(p); }
function f33(p) { f32(p); f32(p + 1); return f32(p); }
function f34(p) { f33(p); f33(p + 1); return f33(p); }
function f35(p) { f34(p); f34(p + 1); return f34(p); }
function f36(p) { f35(p); f35(p + 1); return f35(p); }
function f37(p) { f36(p); f36(p + 1); return f36(p); }
function f38(p) { f37(p); f37(p + 1); return f37(p); }
function f39(p) { f38(p); f38(p + 1); return f38(p); }
f39(1);
const g1 = (a) => g0(a) + g0(a);
const g2 = (a) => g1(a) + g1(a);
const g3 = (a) => g2(a) + g2(a);
const g4 = (a) => g3(a) + g3(a);
const g5 = (a) => g4(a) + g4(a);
const g6 = (a) => g5(a) + g5(a);
const g7 = (a) => g6(a) + g6(a);
const g8 = (a) => g7(a) + g7(a);
const g9 = (a) => g8(a) + g8(a);
const g10 = (a) => g9(a) + g9(a);
const g11 = (a) => g10(a) + g10(a);
const g12 = (a) => g11(a) + g11(a);
const g13 = (a) => g12(a) + g12(a);
const g14 = (a) => g13(a) + g13(a);
const g15 = (a) => g14(a) + g14(a);
const g16 = (a) => g15(a) + g15(a);
const g17 = (a) => g16(a) + g16(a);
const g18 = (a) => g17(a) + g17(a);
const g19 = (a) => g18(a) + g18(a);
const g20 = (a) => g19(a) + g19(a);
const g21 = (a) => g20(a) + g20(a);
const g22 = (a) => g21(a) + g21(a);
const g23 = (a) => g22(a) + g22(a);
const g24 = (a) => g23(a) + g23(a);
const g25 = (a) => g24(a) + g24(a);
const g26 = (a) => g25(a) + g25(a);
const g27 = (a) => g26(a) + g26(a);
const g28 = (a) => g27(a) + g27(a);
const g29 = (a) => g28(a) + g28(a);
const g30 = (a) => g29(a) + g29(a);
const g31 = (a) => g30(a) + g30(a);
const g32 = (a) => g31(a) + g31(a);
const g33 = (a) => g32(a) + g32(a);
const g34 = (a) => g33(a) + g33(a);
const g35 = (a) => g34(a) + g34(a);
const g36 = (a) => g35(a) + g35(a);
const g37 = (a) => g36(a) + g36(a);
const g38 = (a) => g37(a) + g37(a);
const g39 = (a) => g38(a) + g38(a);
createServer({ port: g39(1) });
