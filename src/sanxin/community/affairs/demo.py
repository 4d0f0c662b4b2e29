"""The demo of community affairs: 党务公开, 协商议事, 党员示范岗 and 责任区."""
