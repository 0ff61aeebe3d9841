-- toy: a hand-written design with the kd2fpga interface, for testing the
-- testbenches without the RTL generator. in_data holds a signed 4-bit
-- element a (bits 3:0) and an unsigned 6-bit element b (bits 9:4);
-- out_data holds the signed 8-bit a + b (bits 7:0) and the signed 5-bit
-- -a (bits 12:8), three cycles later.
library ieee;
use ieee.std_logic_1164.all;
use ieee.numeric_std.all;

entity toy is
  port (
    clk       : in  std_logic;
    rst       : in  std_logic;
    in_valid  : in  std_logic;
    in_data   : in  std_logic_vector(9 downto 0);
    out_valid : out std_logic;
    out_data  : out std_logic_vector(12 downto 0)
  );
end entity;

architecture rtl of toy is
  signal a1        : signed(3 downto 0);
  signal b1        : unsigned(5 downto 0);
  signal s2        : signed(7 downto 0);
  signal n2        : signed(4 downto 0);
  signal d3        : std_logic_vector(12 downto 0);
  signal v1, v2, v3 : std_logic;
begin
  process (clk)
  begin
    if rising_edge(clk) then
      a1 <= signed(in_data(3 downto 0));
      b1 <= unsigned(in_data(9 downto 4));
      s2 <= resize(a1, 8) + signed(resize(b1, 8));
      n2 <= -resize(a1, 5);
      d3 <= std_logic_vector(n2) & std_logic_vector(s2);
      if rst = '1' then
        v1 <= '0';
        v2 <= '0';
        v3 <= '0';
      else
        v1 <= in_valid;
        v2 <= v1;
        v3 <= v2;
      end if;
    end if;
  end process;
  out_valid <= v3;
  out_data  <= d3;
end architecture;
