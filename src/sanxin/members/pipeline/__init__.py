"""发展党员: the development pipeline from 入党申请人 to 正式党员, its waiting times, the 发展对象 公示,
and the yearly quota per committee."""
