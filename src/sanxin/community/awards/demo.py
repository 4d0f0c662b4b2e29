"""The demo of community awards: annual selections (评选) with nomination, review, public vote and certificates; 四亮 records."""
